// On-screen signature of an émargement (vendor/signature_pad): shows the
// canvas, which stays hidden without JavaScript, and puts the drawing, as a
// PNG data URL, in the form's hidden field when it is sent.
(function () {
  "use strict";
  var area = document.querySelector("[data-signature-area]");
  if (!area || typeof SignaturePad === "undefined") { return; }
  var form = area.closest("form");
  var canvas = area.querySelector("canvas");
  var field = form.querySelector("input[name=signature]");
  var problem = area.querySelector("[data-signature-problem]");
  area.hidden = false;
  var fallback = document.querySelector("[data-signature-fallback]");
  if (fallback) { fallback.hidden = true; }

  function fit() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
  }
  fit();
  var pad = new SignaturePad(canvas, { penColor: "#1d2430", minWidth: 1, maxWidth: 2.8 });

  area.querySelector("[data-signature-clear]").addEventListener("click", function () {
    pad.clear();
    problem.textContent = "";
  });
  form.addEventListener("submit", function (event) {
    if (pad.isEmpty()) {
      event.preventDefault();
      problem.textContent = "Le cadre est vide : signez avant de valider.";
      canvas.focus();
      return;
    }
    field.value = pad.toDataURL("image/png");
  });
})();
