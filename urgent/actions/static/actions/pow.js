/* Proof of work for action forms (the ALTCHA protocol), solved in this browser.
   Forms carry a signed challenge in data-altcha; we find the number whose SHA-256 with the
   salt gives the challenge and put the answer in the hidden "altcha" field.
   Nothing runs at page load: solving starts when the supporter starts a form (focus, touch)
   or sends it, in a Web Worker (pow-worker.js) so the page stays responsive, and only once
   per page however many forms share the challenge. Without JavaScript (or Web Crypto) the
   forms still work: the server then applies a stricter limit. */
(function () {
  "use strict";
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var encoder = new TextEncoder();
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-worker");
  var solutions = {};  // challenge text -> promise of the payload (or null)

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }

  async function solveHere(challenge) {
    var batch = 64;
    for (var start = 0; start <= challenge.maxNumber; start += batch) {
      var jobs = [];
      for (var n = start; n < start + batch && n <= challenge.maxNumber; n++) {
        jobs.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
      }
      var hashes = await Promise.all(jobs);
      for (var k = 0; k < hashes.length; k++) {
        if (hex(hashes[k]) === challenge.challenge) { return start + k; }
      }
    }
    return null;
  }

  function solveInWorker(challenge) {
    if (!workerUrl || !window.Worker) { return solveHere(challenge); }
    return new Promise(function (resolve) {
      var worker;
      try { worker = new Worker(workerUrl); } catch (e) { resolve(solveHere(challenge)); return; }
      worker.onmessage = function (event) {
        worker.terminate();
        resolve(event.data.error ? solveHere(challenge) : event.data.number);
      };
      worker.onerror = function () { worker.terminate(); resolve(solveHere(challenge)); };
      worker.postMessage(challenge);
    });
  }

  function solution(raw) {
    if (!(raw in solutions)) {
      var challenge;
      try { challenge = JSON.parse(raw); } catch (e) { return Promise.resolve(null); }
      solutions[raw] = solveInWorker(challenge).then(function (number) {
        if (number === null || number === undefined) { return null; }
        return btoa(JSON.stringify({
          algorithm: challenge.algorithm, challenge: challenge.challenge,
          number: number, salt: challenge.salt, signature: challenge.signature
        }));
      });
    }
    return solutions[raw];
  }

  function prepare(form) {
    var raw = form.getAttribute("data-altcha");
    var field = form.querySelector('input[name="altcha"]');
    if (!raw || !field) { return; }
    var status = form.querySelector(".pow-status");
    function start() {
      return solution(raw).then(function (payload) { if (payload) { field.value = payload; } });
    }
    form.addEventListener("focusin", start, { once: true });
    form.addEventListener("pointerdown", start, { once: true });
    form.addEventListener("submit", function (event) {
      if (field.value) { return; }
      event.preventDefault();
      var submitter = event.submitter;
      if (status) { status.textContent = form.getAttribute("data-pow-message") || ""; }
      start().then(function () {
        if (submitter && submitter.name) {
          var carry = document.createElement("input");
          carry.type = "hidden"; carry.name = submitter.name; carry.value = submitter.value;
          form.appendChild(carry);
        }
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  document.querySelectorAll("form[data-altcha]").forEach(prepare);
})();
