// Upper Cervical Directory: the one-line embed. A site owner adds
//   <script src="https://HOST/embed.js" data-technique="nucca" async></script>
// where the search box should appear; this script puts the box (HOST/embed/) in a frame right after its own tag
// and keeps the frame as tall as the box. Options, each optional: data-technique, data-near, data-radius,
// data-unit, data-accent and data-accent-text (colours as #rrggbb); data-lang (es, fr-ca: the box in that language)
// and data-title (the frame's name in it), as the builder writes them. Written for this directory; no dependencies.
(function () {
  "use strict";
  var OPTIONS = ["technique", "near", "radius", "unit", "accent", "accent-text"];

  // document.currentScript is this tag while it runs, async or not; browsers without it get the first tag
  // loading embed.js that no earlier run has taken.
  function ownTag() {
    var current = document.currentScript;
    if (current) return current;
    var tags = document.querySelectorAll('script[src$="/embed.js"]:not([data-embedded])');
    return tags.length ? tags[0] : null;
  }

  var script = ownTag();
  if (!script || script.hasAttribute("data-embedded")) return;
  script.setAttribute("data-embedded", "");

  var origin = new URL(script.src, document.baseURI).origin;
  var query = new URLSearchParams();
  OPTIONS.forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) query.set(name.replace("-", "_"), value);
  });

  var frame = document.createElement("iframe");
  var language = (script.getAttribute("data-lang") || "").toLowerCase();
  var prefix = /^[a-z]{2}(-[a-z]{2})?$/.test(language) && language !== "en" ? "/" + language : "";
  frame.src = origin + prefix + "/embed/" + (query.toString() ? "?" + query.toString() : "");
  frame.title = script.getAttribute("data-title") || "Find an Upper Cervical Chiropractor";
  frame.loading = "lazy";
  frame.setAttribute("width", "100%");
  frame.style.width = "100%";
  frame.style.border = "none";
  frame.style.display = "block";
  frame.style.height = "320px"; // until the box says how tall it is

  // Only the box in this frame may set its height: the message must come from the directory's origin and from
  // this very frame (another frame of the directory on the page sizes its own).
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var height = event.data && event.data.upperCervicalEmbedHeight;
    if (typeof height !== "number" || !isFinite(height) || height < 0) return;
    frame.style.height = Math.min(Math.ceil(height), 5000) + "px";
  });

  script.parentNode.insertBefore(frame, script.nextSibling);
})();
