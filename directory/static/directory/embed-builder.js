// "Put this search on your site" (/embed/build/): as the options change, ask the page again with them and show its
// snippet, preview and errors in place (the server validates and writes the snippet: nothing is built twice), keep
// the address in step, offer a copy button, and size the preview frame to the box as /embed.js would.
(function () {
  "use strict";
  var form = document.getElementById("embed-options");
  if (!form) return;
  var timer = null;
  var asked = 0;

  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.action + "?" + query;
    var mine = ++asked;
    fetch(url, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== asked) return; // a later change has been asked for since
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement) region.innerHTML = replacement.innerHTML;
        });
        form.querySelectorAll("input, select").forEach(function (control) {
          var twin = control.id && fresh.getElementById(control.id);
          if (!twin) return;
          if (twin.hasAttribute("aria-invalid")) control.setAttribute("aria-invalid", "true");
          else control.removeAttribute("aria-invalid");
          var field = control.closest(".field");
          if (field) field.classList.toggle("has-error", twin.closest(".field").classList.contains("has-error"));
        });
        history.replaceState(null, "", url);
        enhance();
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  function enhance() {
    var copy = document.getElementById("copy-snippet");
    var snippet = document.getElementById("embed-snippet");
    if (copy && snippet && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(snippet.value).then(function () {
          document.getElementById("copy-status").textContent = copy.getAttribute("data-copied") || "Copied.";
        });
      });
    }
  }

  function fit(frame, height) {
    if (typeof height === "number" && isFinite(height) && height > 0) frame.style.height = Math.ceil(height) + "px";
  }

  // The preview box reports its height as it would to any page that frames it.
  window.addEventListener("message", function (event) {
    var frame = document.getElementById("embed-preview");
    if (!frame || event.origin !== window.location.origin || event.source !== frame.contentWindow) return;
    fit(frame, event.data && event.data.upperCervicalEmbedHeight);
  });

  // This script is deferred: the first preview may have loaded and reported its height before anything listened
  // (it reports again only when its height changes). It is this site's own page, so measure it: now, and once it
  // has loaded if it has not yet.
  var first = document.getElementById("embed-preview");
  function measure() {
    var body = first.contentDocument && first.contentDocument.body;
    if (body) fit(first, body.getBoundingClientRect().height);
  }
  if (first) {
    first.addEventListener("load", measure);
    measure();
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  enhance();
})();
