/* Safe-messaging guidance while writing: show the hint under the editor when the text mentions
   suicide or self-harm. The server does the same on "Save draft" and when the page is drawn,
   so this is only a quicker echo. No framework, no inline script. */
(function () {
  "use strict";

  var PATTERN = /\b(suicid\w*|self[\s-]?harm\w*|kill(ing)?\s+myself|end(ing)?\s+(my\s+life|it\s+all)|want\s+to\s+die|(cut|cutting|burn|burning|hurt|hurting|harm|harming)\s+myself|overdos\w*|hang(ing)?\s+myself)\b/i;

  function setup(box) {
    var form = box.closest("form");
    var field = form ? form.querySelector("textarea[name=body]") : null;
    if (!field) { return; }
    function check() { box.hidden = !PATTERN.test(field.value); }
    field.addEventListener("input", check);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-safe-messaging]"), setup);
  });
}());
