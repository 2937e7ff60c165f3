/* Check-in taps without reloading the page: each tap's form is posted in the
   background and the server's own rendering of the row replaces it. Without
   this script, the same forms post and the page comes back. */
(function () {
  "use strict";
  var list = document.querySelector(".check-in-list");
  var count = document.getElementById("compte-presence");
  if (!list || !count || !window.fetch) { return; }

  function plural(n, word) { return word + (n > 1 ? "s" : ""); }

  function announce(data) {
    count.textContent = "";
    var present = document.createElement("strong");
    present.textContent = data.present;
    var expected = document.createElement("strong");
    expected.textContent = data.expected;
    count.append(present, " " + plural(data.present, "présent·e") + " sur ", expected,
      " " + plural(data.expected, "attendu·e") + " — " + data.message);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target.closest("form.check-in-tap");
    if (!form) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      var row = form.closest(".check-in-row");
      if (data.row_html) {
        row.insertAdjacentHTML("afterend", data.row_html);
        var replaced = row.nextElementSibling;
        row.remove();
        replaced.querySelector("button").focus();
      }
      announce(data);
    }).catch(function () {
      form.submit();  /* let the page answer the ordinary way */
    });
  });
}());
