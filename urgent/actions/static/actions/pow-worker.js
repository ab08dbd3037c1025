/* Solves one ALTCHA challenge off the page's main thread (see pow.js). */
"use strict";
var encoder = new TextEncoder();

function hex(buffer) {
  var bytes = new Uint8Array(buffer), out = "";
  for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
  return out;
}

self.onmessage = async function (event) {
  var challenge = event.data;
  if (!self.crypto || !self.crypto.subtle) { self.postMessage({ error: "no-crypto" }); return; }
  var batch = 256;
  for (var start = 0; start <= challenge.maxNumber; start += batch) {
    var jobs = [];
    for (var n = start; n < start + batch && n <= challenge.maxNumber; n++) {
      jobs.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
    }
    var hashes = await Promise.all(jobs);
    for (var k = 0; k < hashes.length; k++) {
      if (hex(hashes[k]) === challenge.challenge) { self.postMessage({ number: start + k }); return; }
    }
  }
  self.postMessage({ number: null });
};
