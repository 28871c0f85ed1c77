// Start the NHS.UK design-system components (menu toggle, error summary focus, ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// The leader survey, a part at a time (a phone's screen).
const survey = document.querySelector("form[data-survey-parts]");
if (survey) {
  import("./survey-parts.js").then(({ showInParts }) => showInParts(survey));
}
