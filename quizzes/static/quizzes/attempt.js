/* Take page: autosave, progress, countdown and the keyboard-usable body map.
 * Everything here is an enhancement: without JavaScript the form posts normally and the
 * body map is a list of checkboxes. The page holds no answer key, so neither does this file.
 */
(function () {
  "use strict";

  var form = document.getElementById("quiz-form");
  var SINGLE = ["single_choice", "true_false", "case_vignette"];

  /* ---------- body map: SVG zones mirror real checkboxes ---------- */
  // The list of checkboxes stays visible beside (or below) the figure at every width: it is the large
  // target on a phone and what the form posts. The figure and the list follow each other both ways.
  // The figure is one tab stop (roving tabindex); arrow keys, Home and End move, Space or Enter toggle.
  var ZOOMS = [1, 1.5, 2, 3, 4];  // above 1 the figures stack, each as wide as the zoomed map
  var MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  var SVG_NS = "http://www.w3.org/2000/svg";

  function labelZones(map) {
    // Each zone's number at the middle of each of its shapes (paired zones: both sides).
    map.querySelectorAll("svg").forEach(function (svg) {
      var layer = svg.querySelector("[data-zone-labels]");
      if (!layer || layer.childNodes.length) { return; }
      svg.querySelectorAll("[data-zone]").forEach(function (zone) {
        zone.getAttribute("d").split(/(?=M)/).forEach(function (part) {
          var probe = document.createElementNS(SVG_NS, "path");
          probe.setAttribute("d", part);
          layer.appendChild(probe);
          var box = probe.getBBox();
          layer.removeChild(probe);
          var text = document.createElementNS(SVG_NS, "text");
          text.setAttribute("x", String(box.x + box.width / 2));
          text.setAttribute("y", String(box.y + box.height / 2));
          text.setAttribute("data-for", zone.getAttribute("data-zone"));
          text.textContent = zone.getAttribute("data-number");
          layer.appendChild(text);
        });
      });
    });
  }

  function initBodyMaps(root) {
    root.querySelectorAll("[data-body-map]").forEach(function (map) {
      if (map.hasAttribute("data-body-map-ready")) { return; }  // once per map (the admin may call again)
      map.setAttribute("data-body-map-ready", "");
      var fieldset = map.closest("fieldset") || root;
      map.hidden = false;
      var zones = Array.prototype.slice.call(map.querySelectorAll("[data-zone]"));
      var summary = fieldset.querySelector("[data-zone-summary]");
      var current = map.querySelector("[data-zone-current]");
      var viewport = map.querySelector("[data-zoom-viewport]");
      var zoomShown = map.querySelector("[data-zoom-level]");
      var zoomIndex = 0;
      if (!zones.length) { return; }

      function inputFor(zone) { return document.getElementById(zone.getAttribute("data-input")); }
      function optionFor(zone) { return fieldset.querySelector('[data-zone-option="' + zone.getAttribute("data-zone") + '"]'); }
      function zoneForInput(input) {
        for (var i = 0; i < zones.length; i += 1) { if (zones[i].getAttribute("data-input") === input.id) { return zones[i]; } }
        return null;
      }
      var described = null;
      function describe(zone) {
        described = zone;
        var input = inputFor(zone);
        var on = !!(input && input.checked);
        current.textContent = zone.getAttribute("data-number") + ". " + zone.getAttribute("aria-label") + (on ? ": selected" : ": not selected");
      }
      function refresh() {
        var names = [];
        fieldset.querySelectorAll("[data-zone-list] input[type=checkbox]").forEach(function (input) {
          if (input.checked) { names.push(input.labels[0].textContent.replace(/\s+/g, " ").trim()); }
        });
        zones.forEach(function (zone) {
          var input = inputFor(zone);
          var on = !!(input && input.checked);
          zone.setAttribute("aria-checked", on ? "true" : "false");
          zone.classList.toggle("is-selected", on);
          map.querySelectorAll('text[data-for="' + zone.getAttribute("data-zone") + '"]').forEach(function (t) {
            t.classList.toggle("is-selected", on);
          });
        });
        if (summary) { summary.textContent = names.length ? "Selected: " + names.join(", ") : "No zone selected."; }
        if (described) { describe(described); }
      }
      function highlight(zone, on) {
        var option = optionFor(zone);
        if (option) { option.classList.toggle("is-current", on); }
        if (on) { describe(zone); }
      }
      function toggle(zone) {
        var input = inputFor(zone);
        if (!input) { return; }
        input.checked = !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        refresh();
        describe(zone);
      }
      function rove(zone) {
        zones.forEach(function (z) { z.setAttribute("tabindex", z === zone ? "0" : "-1"); });
      }
      rove(zones.filter(function (z) { return z.getAttribute("aria-checked") === "true"; })[0] || zones[0]);

      zones.forEach(function (zone) {
        zone.addEventListener("click", function () { rove(zone); toggle(zone); });
        zone.addEventListener("focus", function () { rove(zone); highlight(zone, true); });
        zone.addEventListener("blur", function () { highlight(zone, false); });
        zone.addEventListener("mouseenter", function () { highlight(zone, true); });
        zone.addEventListener("mouseleave", function () { highlight(zone, false); });
        zone.addEventListener("keydown", function (event) {
          var here = zones.indexOf(zone);
          var next = null;
          if (event.key === " " || event.key === "Enter" || event.key === "Spacebar") {
            event.preventDefault();  // never scrolls the page nor submits the form
            toggle(zone);
          } else if (MOVES[event.key]) {
            next = zones[(here + MOVES[event.key] + zones.length) % zones.length];
          } else if (event.key === "Home") {
            next = zones[0];
          } else if (event.key === "End") {
            next = zones[zones.length - 1];
          }
          if (next) {
            event.preventDefault();
            rove(next);
            next.focus();
          }
        });
      });

      // A row of the list points at its zone on the figure while it has focus or the pointer.
      fieldset.querySelectorAll("[data-zone-list] input[type=checkbox]").forEach(function (input) {
        var zone = zoneForInput(input);
        if (!zone) { return; }
        var row = input.closest("li");
        function on() { zone.classList.add("is-current"); describe(zone); }
        function off() { zone.classList.remove("is-current"); }
        input.addEventListener("focus", on);
        input.addEventListener("blur", off);
        row.addEventListener("mouseenter", on);
        row.addEventListener("mouseleave", off);
        // Enter on a checkbox ticks it here rather than leaving it to the browser (no early submission).
        input.addEventListener("keydown", function (event) {
          if (event.key === "Enter") {
            event.preventDefault();
            input.click();
          }
        });
      });

      function setZoom(index) {
        var centreX = (viewport.scrollLeft + viewport.clientWidth / 2) / viewport.scrollWidth;
        var centreY = (viewport.scrollTop + viewport.clientHeight / 2) / viewport.scrollHeight;
        zoomIndex = Math.max(0, Math.min(ZOOMS.length - 1, index));
        var zoom = ZOOMS[zoomIndex];
        map.style.setProperty("--zoom", String(zoom));
        map.classList.toggle("is-zoomed", zoom > 1);
        if (zoom > 1) {
          labelZones(map);
          map.querySelectorAll("svg").forEach(function (svg) {  // numbers about 13 CSS px at any size
            var scale = svg.getBoundingClientRect().width / 200;
            svg.querySelector("[data-zone-labels]").style.fontSize = (13 / scale).toFixed(2) + "px";
          });
        }
        zoomShown.textContent = zoom * 100 + "%";
        map.querySelector('[data-zoom-step="-1"]').disabled = zoomIndex === 0;
        map.querySelector('[data-zoom-step="1"]').disabled = zoomIndex === ZOOMS.length - 1;
        viewport.scrollLeft = centreX * viewport.scrollWidth - viewport.clientWidth / 2;
        viewport.scrollTop = centreY * viewport.scrollHeight - viewport.clientHeight / 2;
      }
      map.querySelectorAll("[data-zoom-step]").forEach(function (button) {
        button.addEventListener("click", function () { setZoom(zoomIndex + parseInt(button.getAttribute("data-zoom-step"), 10)); });
      });
      setZoom(0);

      fieldset.addEventListener("change", refresh);
      refresh();
    });
  }

  // The admin's body-map key widget is drawn by Wagtail after this file runs: it calls this again.
  window.BodyworkBodyMap = { init: initBodyMaps };
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
