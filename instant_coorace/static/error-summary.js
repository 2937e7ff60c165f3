// Where the focus starts on a page that answers a form, so that screen readers
// say what happened and keyboard users start from there:
// - a refused submission: the error summary, whose links lead to each field with
//   its label and hint in view (a plain jump to the field would hide its label
//   above the top of the screen);
// - an action done (« Confirmer », « Enregistrer »): the message that says so,
//   unless the page puts the focus somewhere itself (autofocus).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var summary = document.getElementById("resume-erreurs");
  var messages = document.getElementById("messages");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.hash.slice(1));
      if (!input) { return; }
      event.preventDefault();
      (input.closest(".field") || input).scrollIntoView();
      input.focus({ preventScroll: true });
      history.replaceState(null, "", link.hash);
    });
  } else if (messages && !document.querySelector("[autofocus]")) {
    messages.focus();
  }
});
