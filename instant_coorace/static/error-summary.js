// After a refused submission, move focus to the error summary so that screen
// readers announce it and keyboard users start from the list of errors.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("resume-erreurs");
  if (summary) summary.focus();
});
