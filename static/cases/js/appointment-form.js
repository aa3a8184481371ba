// The appointment form: choosing an attendance other than "Attended" sets engagement back
// to "Not rated" straight away, as the server does when the form is saved. Without this
// script the page works the same; only the rating is cleared on saving instead.
const form = document.querySelector("form[data-appointment-form]");

if (form) {
  const notRated = form.querySelector('input[name="engagement"][value="not_rated"]');
  form.querySelectorAll('input[name="attendance"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      if (radio.checked && radio.value !== "attended" && notRated) {
        notRated.checked = true;
      }
    });
  });
}
