// The one navigation (templates/base.html): on a narrow screen it folds behind the Menu button.
const toggle = document.getElementById("nav-toggle");
const nav = document.getElementById("main-nav");

function setOpen(open) {
  toggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("open", open);
}

if (toggle && nav) {
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") setOpen(false); });
}
