/* Safe-messaging guidance while writing: show the hint under the editor when the text mentions
   suicide or self-harm. The server (moderation.screening.needs_guidance) decides on "Save draft"
   and when the page is drawn, with the full rules; this is only a quicker, rougher echo of the
   commonest wording, in English and Norwegian. No framework, no inline script. */
(function () {
  "use strict";

  // Invisible characters people use to split a word, and curly apostrophes.
  var HIDDEN = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
  var PATTERN = new RegExp([
    "suicid", "sewer ?slide", "unalive", "\\bkms\\b", "\\bctb\\b",
    "self[\\s-]?harm", "self[\\s-]?injur",
    "(kill|killing|hang|hanging|hurt|hurting|harm|harming|cut|cutting|burn|burning|starve) ?(my ?self|meself)",
    "end(ing)? (my|my own) life", "end(ing)? it all", "take my (own )?life",
    "(want|wanna|going|ready) (to )?die", "wish i (was|were) dead", "better off dead",
    "(do ?n.?t|do not) want to (be alive|live|exist|be here|wake up)", "never wake up",
    "overdos", "\\bod\\b", "noose",
    "selvmord", "selvskad", "ta livet (mitt|av meg)", "(kutte|skade) meg", "vil (bare )?d[\u00f8o](?![a-z\u00e6\u00f8\u00e5])"
  ].join("|"), "i");

  function mentionsRisk(text) {
    return PATTERN.test(text.replace(HIDDEN, "").replace(/[\u2018\u2019]/g, "'"));
  }

  function setup(box) {
    var form = box.closest("form");
    var field = form ? form.querySelector("textarea[name=body]") : null;
    if (!field) { return; }
    function check() { box.hidden = !mentionsRisk(field.value); }
    field.addEventListener("input", check);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-safe-messaging]"), setup);
  });
}());
