// Start the NHS.UK design-system components (menu toggle, error summary focus, ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
