// The printable report's "Print" button (no inline script: CSP).
document.getElementById("print-button")?.addEventListener("click", () => window.print());
