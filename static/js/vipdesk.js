// Small page behaviours shared by every page. No inline scripts: CSP allows 'self' only.
"use strict";

// Live SLA countdowns: <time data-countdown="ISO-8601"> elements tick every second,
// turning amber within data-warn-seconds of the deadline and red once breached.
function formatRemaining(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const pad = (n) => String(n).padStart(2, "0");
  return sign + (d ? d + "d " : "") + (d || h ? h + "h " : "") + pad(m) + "m " + pad(s) + "s";
}

function tickCountdowns() {
  const now = Date.now();
  document.querySelectorAll("[data-countdown]").forEach((el) => {
    const due = Date.parse(el.dataset.countdown);
    if (Number.isNaN(due)) return;
    const remaining = (due - now) / 1000;
    const warn = Number(el.dataset.warnSeconds || 900);
    el.textContent = remaining < 0 ? "breached " + formatRemaining(-remaining) + " ago" : formatRemaining(remaining);
    el.classList.toggle("sla-breached", remaining < 0);
    el.classList.toggle("sla-warning", remaining >= 0 && remaining < warn);
    el.classList.toggle("sla-ok", remaining >= warn);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  tickCountdowns();
  setInterval(tickCountdowns, 1000);
});
document.addEventListener("htmx:afterSwap", tickCountdowns);

// Confirmation for buttons carrying data-confirm.
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
});
