/* Proof of work for action forms (the ALTCHA protocol), solved in this browser.
   Forms carry a signed challenge in data-altcha; we find the number whose SHA-256 with the
   salt gives the challenge and put the answer in the hidden "altcha" field. Without
   JavaScript (or Web Crypto) the forms still work: the server then applies a stricter limit. */
(function () {
  "use strict";
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var encoder = new TextEncoder();

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }

  async function solve(challenge) {
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

  function prepare(form) {
    var raw = form.getAttribute("data-altcha");
    var field = form.querySelector('input[name="altcha"]');
    if (!raw || !field) { return; }
    var challenge;
    try { challenge = JSON.parse(raw); } catch (e) { return; }
    var status = form.querySelector(".pow-status");
    var pending = null;
    function start() {
      if (!pending) {
        pending = solve(challenge).then(function (number) {
          if (number === null) { return; }
          field.value = btoa(JSON.stringify({
            algorithm: challenge.algorithm, challenge: challenge.challenge,
            number: number, salt: challenge.salt, signature: challenge.signature
          }));
        });
      }
      return pending;
    }
    form.addEventListener("focusin", start, { once: true });
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
    if ("requestIdleCallback" in window) { window.requestIdleCallback(start); }
  }

  document.querySelectorAll("form[data-altcha]").forEach(prepare);
})();
