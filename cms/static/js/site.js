/* Bodywork CE site behaviour. Progressive enhancement only: every page works without it.
 * Loaded with `defer` from base.html; no inline scripts anywhere (a CSP is planned).
 *
 * Hooks templates can use:
 *   <nav class="lesson-toc" data-lesson-toc aria-label="On this page"></nav>
 *       filled with links to every h2[id] in .lesson-body (left alone if it already has links)
 *   .lesson-toc a[href^="#"]          highlighted while its section is on screen
 *   <form data-confirm="Are you sure?">  asks before submitting
 *   .lesson-body present               a thin reading-progress bar appears at the top
 *   <form hidden data-study-clock="60" action="…">  pinged each 60 s while the learner is active
 *                                      (scrolled, typed, pointed, or a lesson video or audio is playing)
 */
(function () {
  "use strict";

  function buildToc(lessonBody) {
    var toc = document.querySelector("[data-lesson-toc]");
    if (!toc || !lessonBody || toc.querySelector("a")) return;
    var headings = lessonBody.querySelectorAll("h2[id]");
    if (headings.length < 2) {
      var panel = toc.closest(".sidebar-panel");
      (panel || toc).hidden = true;
      return;
    }
    var list = document.createElement("ol");
    headings.forEach(function (heading) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + heading.id;
      link.textContent = heading.textContent.trim();
      item.appendChild(link);
      list.appendChild(item);
    });
    toc.appendChild(list);
  }

  function spyToc() {
    var links = Array.prototype.slice.call(document.querySelectorAll('.lesson-toc a[href^="#"]'));
    var sections = links.map(function (link) {
      var id = decodeURIComponent(link.getAttribute("href").slice(1));
      return { link: link, target: id && document.getElementById(id) };
    }).filter(function (section) { return section.target; });
    if (!sections.length) return;
    var current = null;
    var ticking = false;
    function update() {
      ticking = false;
      // the section whose heading last passed a line 30% down the viewport
      var line = window.innerHeight * 0.3;
      var active = null;
      sections.forEach(function (section) {
        if (section.target.getBoundingClientRect().top <= line) active = section;
      });
      if (active === current) return;
      if (current) {
        current.link.classList.remove("is-active");
        current.link.removeAttribute("aria-current");
      }
      if (active) {
        active.link.classList.add("is-active");
        active.link.setAttribute("aria-current", "true");
      }
      current = active;
    }
    function onScroll() {
      if (!ticking) {
        ticking = true;
        window.requestAnimationFrame(update);
      }
    }
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    update();
  }

  function readingProgress(lessonBody) {
    if (!lessonBody) return;
    var bar = document.createElement("div");
    bar.className = "reading-progress";
    bar.setAttribute("aria-hidden", "true");
    document.body.appendChild(bar);
    var ticking = false;
    function update() {
      var rect = lessonBody.getBoundingClientRect();
      var total = rect.height - window.innerHeight;
      var done = total > 0 ? Math.min(1, Math.max(0, -rect.top / total)) : 1;
      bar.style.transform = "scaleX(" + done.toFixed(3) + ")";
      ticking = false;
    }
    function onScroll() {
      if (!ticking) {
        ticking = true;
        window.requestAnimationFrame(update);
      }
    }
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    update();
  }

  function confirmForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var message = form && form.getAttribute && form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) event.preventDefault();
    });
  }

  // The study clock: while the learner is active on a module page (scrolled, typed, pointed or touched
  // since the last ping, with the page in front), tell the server once a period. The server counts the
  // time itself, on its own clock, capping idle gaps (courses/seat_time.py); this only says "still here".
  function studyClock() {
    var form = document.querySelector("form[data-study-clock]");
    if (!form || !window.fetch) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var period = (parseInt(form.getAttribute("data-study-clock"), 10) || 60) * 1000;
    var active = false;
    ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach(function (name) {
      window.addEventListener(name, function () { active = true; }, { passive: true });
    });
    // A lesson video or audio that is playing is study too: a learner watching a ten-minute clip without
    // touching anything is not idle (media events do not bubble, so listen in the capture phase).
    var players = document.querySelectorAll(".lesson-body video, .lesson-body audio");
    function playing() {
      return Array.prototype.some.call(players, function (player) { return !player.paused && !player.ended; });
    }
    ["play", "timeupdate"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        if (event.target && event.target.closest && event.target.closest(".lesson-body")) active = true;
      }, true);
    });
    window.setInterval(function () {
      if (playing()) active = true;  // audio keeps counting with the tab in the background
      else if (document.visibilityState !== "visible") return;
      if (!active) return;
      active = false;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
      }).catch(function () {});
    }, period);
  }

  function init() {
    var lessonBody = document.querySelector(".lesson-body");
    buildToc(lessonBody);
    spyToc();
    readingProgress(lessonBody);
    confirmForms();
    studyClock();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
