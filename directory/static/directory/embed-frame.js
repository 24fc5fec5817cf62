// Inside the embeddable box (/embed/): tell the page that frames it how tall the box is, so that /embed.js can
// size the frame to fit, on load and whenever the box's height changes (a narrower frame wraps the fields).
//
// The target origin is "*": the box cannot know which site frames it (any may), and the message carries nothing
// but a height in pixels, which is no secret. The receiving script checks that the message comes from its own
// frame and from this site's origin before it believes it.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ upperCervicalEmbedHeight: height }, "*");
  }
  if ("ResizeObserver" in window) new ResizeObserver(post).observe(document.body);
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  post();
})();
