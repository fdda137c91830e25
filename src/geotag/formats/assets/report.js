(function () {
  "use strict";
  function light(event, on) {
    var target = event.target;
    var el = target && target.closest ? target.closest("[data-place]") : null;
    if (!el) { return; }
    var key = el.getAttribute("data-place");
    document.querySelectorAll("[data-place]").forEach(function (other) {
      if (other.getAttribute("data-place") === key) { other.classList.toggle("hot", on); }
    });
  }
  document.addEventListener("mouseover", function (e) { light(e, true); });
  document.addEventListener("mouseout", function (e) { light(e, false); });
  document.addEventListener("focusin", function (e) { light(e, true); });
  document.addEventListener("focusout", function (e) { light(e, false); });
})();
