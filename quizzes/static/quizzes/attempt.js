/* Take page: autosave, progress, countdown and the keyboard-usable body map.
 * Everything here is an enhancement: without JavaScript the form posts normally and the
 * body map is a list of checkboxes. The page holds no answer key, so neither does this file.
 */
(function () {
  "use strict";

  var form = document.getElementById("quiz-form");
  var SINGLE = ["single_choice", "true_false", "case_vignette"];

  /* ---------- body map: SVG zones mirror real checkboxes ---------- */
  function initBodyMaps(root) {
    root.querySelectorAll("[data-body-map]").forEach(function (map) {
      var fieldset = map.closest("fieldset") || root;
      map.hidden = false;
      fieldset.querySelectorAll("[data-zone-list] [data-has-shape]").forEach(function (li) { li.hidden = true; });
      var zones = map.querySelectorAll("[data-zone]");
      var summary = map.querySelector("[data-zone-summary]");

      function inputFor(zone) { return document.getElementById(zone.getAttribute("data-input")); }
      function refresh() {
        var names = [];
        zones.forEach(function (zone) {
          var input = inputFor(zone);
          var on = !!(input && input.checked);
          zone.setAttribute("aria-checked", on ? "true" : "false");
          zone.classList.toggle("is-selected", on);
          if (on) { names.push(zone.getAttribute("aria-label")); }
        });
        if (summary) { summary.textContent = names.length ? "Selected: " + names.join(", ") : "No zone selected."; }
      }
      function toggle(zone) {
        var input = inputFor(zone);
        if (!input) { return; }
        input.checked = !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        refresh();
      }
      // Tab visits every zone; the arrow keys (and Home/End) also move between the zones of a question.
      var MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
      var ordered = Array.prototype.slice.call(zones);
      zones.forEach(function (zone) {
        zone.addEventListener("click", function () { toggle(zone); });
        zone.addEventListener("keydown", function (event) {
          var here = ordered.indexOf(zone);
          var next = null;
          if (event.key === " " || event.key === "Enter" || event.key === "Spacebar") {
            event.preventDefault();
            toggle(zone);
          } else if (MOVES[event.key]) {
            next = ordered[(here + MOVES[event.key] + ordered.length) % ordered.length];
          } else if (event.key === "Home") {
            next = ordered[0];
          } else if (event.key === "End") {
            next = ordered[ordered.length - 1];
          }
          if (next) {
            event.preventDefault();
            next.focus();
          }
        });
      });
      fieldset.addEventListener("change", refresh);
      refresh();
    });
  }

  initBodyMaps(document);
  if (!form || !form.dataset.autosaveUrl) { return; }

  /* ---------- answers in the JSON shape the server expects ---------- */
  function answerOf(fieldset) {
    var kind = fieldset.dataset.kind;
    if (SINGLE.indexOf(kind) !== -1) {
      var picked = fieldset.querySelector("input[type=radio]:checked");
      return picked ? picked.value : null;
    }
    if (kind === "multiple_response" || kind === "body_map") {
      var values = [];
      fieldset.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) { values.push(box.value); });
      return values;
    }
    var pairs = {};
    fieldset.querySelectorAll("select").forEach(function (select) {
      var id = select.name.slice(select.name.indexOf("-") + 1);
      if (select.value !== "") { pairs[id] = kind === "ordering" ? parseInt(select.value, 10) : select.value; }
    });
    return pairs;
  }

  function isAnswered(answer) {
    if (answer === null) { return false; }
    if (Array.isArray(answer)) { return answer.length > 0; }
    if (typeof answer === "object") { return Object.keys(answer).length > 0; }
    return answer !== "";
  }

  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-qid]"));
  function collect() {
    var answers = {};
    questions.forEach(function (fieldset) { answers[fieldset.dataset.qid] = answerOf(fieldset); });
    return answers;
  }

  /* ---------- progress ---------- */
  var counter = document.querySelector("[data-answered]");
  var bar = document.getElementById("quiz-progress");
  function updateProgress(answers) {
    var done = 0;
    questions.forEach(function (fieldset) {
      var on = isAnswered(answers[fieldset.dataset.qid]);
      fieldset.toggleAttribute("data-answered", on);
      if (on) { done += 1; }
    });
    if (counter) { counter.textContent = String(done); }
    if (bar) { bar.value = done; bar.textContent = done + " of " + questions.length; }
  }

  /* ---------- autosave ---------- */
  var statusLine = document.querySelector("[data-save-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var saving = false;
  var closed = false;
  var changes = 0;   // bumped on every change
  var savedAt = 0;   // the change count the server has confirmed
  var refusedAt = -1; // the change count the server refused: wait for the next change
  var retryDelay = 600;

  function say(text, isError) {
    if (!statusLine) { return; }
    statusLine.textContent = text;
    statusLine.classList.toggle("text-danger", !!isError);
  }

  function save() {
    if (closed || saving || savedAt === changes || refusedAt === changes) { return; }
    saving = true;
    var sending = changes;
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: collect() })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        retryDelay = 600;
        if (response.ok) {
          savedAt = Math.max(savedAt, sending);
          if (savedAt === changes) {
            say("All answers saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) + ".");
          }
        } else if (response.status === 409) {
          closed = true;
          say((body.error || "This attempt is closed.") + " Submitting…", true);
          form.submit();
        } else {
          refusedAt = sending;
          say("Not saved: " + (body.error || "the server refused the answers") + ".", true);
        }
      });
    }).catch(function () {
      retryDelay = Math.min(retryDelay * 2, 30000);
      say("Not saved yet: the connection seems to be down. Retrying…", true);
    }).then(function () {
      saving = false;
      if (!closed && savedAt !== changes && refusedAt !== changes) { schedule(retryDelay); }
    });
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay || 600);
  }

  form.addEventListener("change", function () {
    changes += 1;
    say("Saving…");
    updateProgress(collect());
    schedule();
  });

  // Leaving with a change not yet confirmed: send it as a form post the browser completes on its own.
  window.addEventListener("pagehide", function () {
    if (closed || savedAt === changes || !navigator.sendBeacon) { return; }
    navigator.sendBeacon(form.dataset.autosaveUrl, new FormData(form));
  });

  /* ---------- submit once ---------- */
  var submitted = false;
  form.addEventListener("submit", function (event) {
    if (submitted) { event.preventDefault(); return; }
    submitted = true;
    closed = true;
    window.clearTimeout(timer);
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
    say("Sending…");
  });

  /* ---------- countdown from the server's deadline ---------- */
  var clock = document.querySelector("[data-seconds-left]");
  if (clock) {
    var shown = clock.querySelector("[data-timer]");
    var endsAt = Date.now() + parseInt(clock.dataset.secondsLeft, 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      shown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      clock.classList.toggle("is-urgent", left <= 60);
      if (left === 0) {
        window.clearInterval(interval);
        if (!submitted) {
          say("Time is up: submitting your answers…");
          submitted = true;
          closed = true;
          form.submit();
        }
      }
    };
    var interval = window.setInterval(tick, 1000);
    tick();
  }

  updateProgress(collect());
})();
