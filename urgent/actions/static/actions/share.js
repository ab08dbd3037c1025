/* The browser's own share sheet (Web Share API) where there is one; the plain links work
   everywhere else. Nothing is loaded from another site. */
(function () {
  "use strict";
  if (!navigator.share) { return; }
  document.querySelectorAll(".share-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.getAttribute("data-share-title") || document.title,
        url: button.getAttribute("data-share-url") }).catch(function () {});
    });
  });
  document.querySelectorAll(".share-url").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
