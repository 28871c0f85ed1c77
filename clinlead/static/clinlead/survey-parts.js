// The leader survey a part at a time, for a phone: one form, its parts shown one by one, so an
// answer stays where it was when the respondent goes back (nothing is stored before sending:
// answers are sealed as they are sent). Without JavaScript the whole form shows at once.

export function showInParts(form) {
  const parts = [...form.querySelectorAll(".clinlead-survey-part")];
  const progress = document.getElementById("survey-progress");
  if (parts.length < 2 || !progress) return;
  const answered = (part) =>
    new Set([...part.querySelectorAll("input[type=radio]:checked")].map((input) => input.name)).size;
  const questions = (part) => new Set([...part.querySelectorAll("input[type=radio]")].map((i) => i.name)).size;

  const bar = document.createElement("progress");
  bar.max = parts.length;
  bar.className = "clinlead-survey-progress__bar";
  bar.setAttribute("aria-hidden", "true"); // the words beside it say the same
  progress.setAttribute("aria-live", "polite");
  progress.after(bar);

  function show(index, { focus }) {
    parts.forEach((part, i) => { part.hidden = i !== index; });
    bar.value = index + 1;
    const part = parts[index];
    progress.textContent = `Part ${index + 1} of ${parts.length}: ${answered(part)} of ${questions(part)} answered on this part`;
    if (focus) {
      part.querySelector("h2").focus();
      form.scrollIntoView({ block: "start" });
    }
  }

  parts.forEach((part, index) => {
    part.addEventListener("change", () => { if (!part.hidden) show(index, { focus: false }); });
    const buttons = document.createElement("div");
    buttons.className = "clinlead-survey-part__buttons";
    if (index < parts.length - 1) {
      const next = document.createElement("button");
      next.type = "button";
      next.className = "nhsuk-button";
      next.textContent = "Continue";
      next.addEventListener("click", () => show(index + 1, { focus: true }));
      buttons.append(next);
    }
    if (index > 0) {
      const back = document.createElement("button");
      back.type = "button";
      back.className = "nhsuk-button nhsuk-button--secondary";
      back.textContent = "Back";
      back.addEventListener("click", () => show(index - 1, { focus: true }));
      buttons.append(back);
    }
    const send = part.querySelector("button[type=submit]");
    if (send) send.after(buttons); else part.append(buttons);
  });

  // Shown again with a problem: start where the first problem is; with questions left out, at
  // the end (the warning above says so, and Back reaches them).
  const problem = parts.findIndex((part) => part.querySelector(".nhsuk-form-group--error"));
  const leftOut = document.getElementById("unanswered-warning");
  show(problem >= 0 ? problem : leftOut ? parts.length - 1 : 0, { focus: false });
}
