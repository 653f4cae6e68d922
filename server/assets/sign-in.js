// The reference server's sign-in page: posts the form to /account/login and
// says what happened. Plain DOM calls, no framework: it is a demo page.
const form = document.getElementById("sign-in-form");
const password = document.getElementById("sign-in-password");
const passwordError = document.getElementById("sign-in-password-error");
const formError = document.getElementById("form-error");

function showPasswordError(message) {
  passwordError.textContent = message;
  passwordError.hidden = false;
  password.setAttribute("aria-invalid", "true");
  password.setAttribute("aria-describedby", "sign-in-password-error");
  password.focus();
}

function showFormError(message) {
  formError.textContent = message;
  formError.hidden = false;
  formError.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  passwordError.hidden = true;
  formError.hidden = true;
  password.removeAttribute("aria-invalid");
  password.removeAttribute("aria-describedby");
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
  } catch {
    showFormError("We could not reach the server. Check your connection, then try again.");
    return;
  }
  if (response.ok) {
    const main = document.getElementById("main");
    const heading = document.createElement("h1");
    heading.id = "page-heading";
    heading.tabIndex = -1;
    heading.textContent = "You're signed in";
    const note = document.createElement("p");
    note.textContent = "Your password works.";
    main.replaceChildren(heading, note);
    document.title = "You're signed in – Reclaim reference server";
    heading.focus();
  } else if (response.status === 400 || response.status === 401) {
    showPasswordError("The email address or password is not right.");
  } else if (response.status === 429) {
    const wait = response.headers.get("Retry-After");
    showFormError(`Too many attempts. Wait ${wait ? `${wait} seconds` : "a minute"} and try again.`);
  } else {
    showFormError(`Something went wrong on our side (error ${response.status}). Try again in a moment.`);
  }
});
