// Attendance sheets: the signature pad (finger, pen or mouse through pointer events), the dialog in
// which a learner signs on the trainer's tablet, and the one-tap marks of the sheet.
// The pad sends only points, as JSON of strokes in the 400 × 150 box of plombiers/lib/signature.py;
// the server draws the SVG itself.
(function () {
  "use strict";
  const WIDTH = 400;
  const HEIGHT = 150;
  const MAX_POINTS = 3900;
  const SAVED_AT_ONCE = ["present", "absent"];

  function setupPad(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    const canvas = pad.querySelector("canvas");
    const input = pad.querySelector("[data-strokes]");
    const empty = pad.querySelector("[data-signature-vide]");
    const context = canvas.getContext("2d");
    let strokes = [];
    let current = null;
    let total = 0;

    context.scale(canvas.width / WIDTH, canvas.height / HEIGHT);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1a1a4e";

    function point(event) {
      const box = canvas.getBoundingClientRect();
      const x = ((event.clientX - box.left) * WIDTH) / box.width;
      const y = ((event.clientY - box.top) * HEIGHT) / box.height;
      const clamp = function (value, max) {
        return Math.round(Math.min(Math.max(value, 0), max) * 10) / 10;
      };
      return [clamp(x, WIDTH), clamp(y, HEIGHT)];
    }

    function save() {
      input.value = total >= 3 ? JSON.stringify(strokes) : "";
      if (empty && total >= 3) empty.classList.add("d-none");
    }

    // A signature sent with a form the server refused comes back in the field: drawn again, kept.
    if (input.value) {
      try {
        JSON.parse(input.value).forEach(function (stroke) {
          strokes.push(stroke);
          total += stroke.length;
          context.beginPath();
          context.moveTo(stroke[0][0], stroke[0][1]);
          stroke.forEach(function (p) {
            context.lineTo(p[0], p[1]);
          });
          if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.5, stroke[0][1]);
          context.stroke();
        });
      } catch (error) {
        strokes = [];
        total = 0;
        input.value = "";
      }
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (total >= MAX_POINTS) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      const first = point(event);
      current = [first];
      strokes.push(current);
      total += 1;
      context.beginPath();
      context.moveTo(first[0], first[1]);
      context.lineTo(first[0] + 0.5, first[1]);
      context.stroke();
    });

    canvas.addEventListener("pointermove", function (event) {
      if (!current || total >= MAX_POINTS) return;
      event.preventDefault();
      const next = point(event);
      const last = current[current.length - 1];
      if (Math.abs(next[0] - last[0]) + Math.abs(next[1] - last[1]) < 1.5) return;
      current.push(next);
      total += 1;
      context.beginPath();
      context.moveTo(last[0], last[1]);
      context.lineTo(next[0], next[1]);
      context.stroke();
    });

    function end() {
      if (!current) return;
      current = null;
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    pad.clear = function () {
      strokes = [];
      current = null;
      total = 0;
      context.clearRect(0, 0, WIDTH, HEIGHT);
      save();
    };
    pad.querySelector("[data-effacer]").addEventListener("click", pad.clear);
  }

  // Two ways to sign: drawing, or the name typed with a confirmation (no pad: keyboard, switch).
  // Only the chosen way shows; without this script both do.
  function chosenMode(choice) {
    const checked = choice.querySelector("[data-signing-mode]:checked");
    return checked ? checked.value : "trace";
  }

  function showMode(choice) {
    const mode = chosenMode(choice);
    choice.querySelectorAll("[data-signing-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.signingPanel !== mode;
    });
  }

  function setupAll(root) {
    root.querySelectorAll("[data-signature-pad]").forEach(setupPad);
    root.querySelectorAll("[data-signing-choice]").forEach(showMode);
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-signing-mode]")) return;
    showMode(event.target.closest("[data-signing-choice]"));
  });

  // A drawing is not sent empty: the person is told where to sign (or that they may type their name).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-signature-form]")) return;
    const choice = form.querySelector("[data-signing-choice]");
    if (choice && chosenMode(choice) !== "trace") return;
    const pad = form.querySelector("[data-signature-pad]");
    if (pad && !pad.querySelector("[data-strokes]").value) {
      event.preventDefault();
      const message = pad.querySelector("[data-signature-vide]");
      message.classList.remove("d-none");
      message.setAttribute("role", "alert");
    }
  });

  document.addEventListener("click", function (event) {
    const signer = event.target.closest("[data-faire-signer]");
    const dialog = document.getElementById("dialogue-signature");
    if (signer && dialog) {
      dialog.querySelector("input[name=enrolment]").value = signer.dataset.faireSigner;
      dialog.querySelector("[data-signataire]").textContent = signer.dataset.nom; // « de Bilal », « d'Inès »
      const pad = dialog.querySelector("[data-signature-pad]");
      pad.clear();
      pad.querySelector("[data-signature-vide]").classList.add("d-none");
      // The previous learner's typed name never stays in the dialog.
      dialog.querySelectorAll("input[name=typed_name]").forEach(function (input) {
        input.value = "";
      });
      dialog.querySelectorAll("input[name=confirmed]").forEach(function (input) {
        input.checked = false;
      });
      dialog.showModal();
      return;
    }
    if (event.target.closest("[data-fermer-dialogue]") && dialog) dialog.close();
  });

  // One tap on the sheet: present or absent is saved at once; late and excused ask for details first.
  document.addEventListener("change", function (event) {
    const radio = event.target;
    if (!radio.matches(".mark-form input[name=status]")) return;
    const form = radio.form;
    const details = form.querySelector(".mark-details");
    const needsDetails = !SAVED_AT_ONCE.includes(radio.value);
    details.classList.toggle("d-none", !needsDetails);
    form.querySelectorAll("[data-pour]").forEach(function (part) {
      part.classList.toggle("d-none", part.dataset.pour !== radio.value);
    });
    if (needsDetails) {
      const first = form.querySelector("[data-pour='" + radio.value + "'] input");
      if (first) first.focus();
    } else {
      form.requestSubmit();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setupAll(event.detail.elt);
  });
})();
