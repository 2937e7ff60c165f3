/* Structure picker, progressive enhancement of the registration forms.
 * Without JavaScript the <select> (grouped by department) and the « autre
 * structure » field work as they are. With it: a search box that narrows the
 * list as one types, and the « autre structure » field shown only when needed. */
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(select) {
    var original = Array.prototype.slice.call(select.children).map(function (node) {
      return node.cloneNode(true);
    });

    var wrapper = document.createElement("div");
    wrapper.className = "field structure-search";
    var label = document.createElement("label");
    label.htmlFor = select.id + "-recherche";
    label.textContent = "Rechercher votre structure (nom ou département)";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-recherche";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    wrapper.append(label, input, status);
    select.closest(".field").before(wrapper);

    function keeps(option, query, groupMatches) {
      return !option.value || option.value === "autre" || option.value === select.value ||
        groupMatches || normalise(option.textContent).indexOf(query) !== -1;
    }

    input.addEventListener("input", function () {
      var query = normalise(input.value);
      var chosen = select.value;
      var found = 0;
      select.replaceChildren();
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var groupMatches = query && normalise(node.label).indexOf(query) !== -1;
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (!query || keeps(option, query, groupMatches)) {
              group.append(option.cloneNode(true));
              found += 1;
            }
          });
          if (group.children.length) { select.append(group); }
        } else {
          select.append(node.cloneNode(true));
        }
      });
      select.value = chosen;
      status.textContent = query
        ? (found ? found + " structure" + (found > 1 ? "s" : "") + " dans la liste ci-dessous."
          : "Aucune structure trouvée : choisissez « Autre structure ».")
        : "";
    });
    chooseOnEnter(select, input, status);
  }

  /* Enter in the search box chooses the one structure found, or moves to the list
   * to pick among several; it never sends the form (and loses the search). */
  function chooseOnEnter(select, input, status) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var query = normalise(input.value);
      var found = Array.prototype.filter.call(
        select.querySelectorAll("optgroup option"),
        function (option) {
          return normalise(option.textContent).indexOf(query) !== -1 ||
            normalise(option.parentNode.label).indexOf(query) !== -1;
        }
      );
      if (query && found.length === 1) {
        select.value = found[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = "Structure choisie : " + found[0].textContent + ".";
      } else {
        select.focus();
      }
    });
  }

  function toggleOther(select) {
    var other = document.querySelector(".field-other-structure");
    if (!other) { return; }
    function update() {
      other.hidden = select.value !== "autre" && !other.classList.contains("field-error");
    }
    select.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("select[data-structure-picker]").forEach(function (select) {
    enhance(select);
    toggleOther(select);
  });
})();
