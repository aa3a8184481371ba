// Starts GOV.UK Frontend's components. Loaded as a module from base.html (the Content
// Security Policy allows no inline script), so it only runs in browsers that GOV.UK Frontend
// supports; every page also works without it.
import { initAll } from "../../vendor/govuk-frontend-6.6.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
