// The attendance sheet without page reloads: one tap saves one officer; "All present" saves
// the whole day. Without JavaScript the same form posts and the page reloads.
(function () {
  "use strict";
  var sheet = document.getElementById("attendance-sheet");
  if (!sheet || !window.fetch) { return; }
  var status = document.getElementById("save-status");
  var csrf = sheet.dataset.csrf;

  function say(text, state) { status.textContent = text; status.dataset.state = state; }

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || response.statusText); }
        return answer;
      });
    });
  }

  sheet.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") { return; }
    var row = input.closest(".officer");
    var pid = row.dataset.participantId;
    var body = new FormData();
    body.append("status", input.value);
    row.classList.add("saving");
    say("…", "saving");
    post(sheet.dataset.markUrl.replace("PID", encodeURIComponent(pid)), body)
      .then(function () { row.classList.remove("unsaved"); say(sheet.dataset.saved, "saved"); })
      .catch(function (error) { row.classList.add("unsaved"); say(sheet.dataset.failed + ": " + error.message, "failed"); })
      .then(function () { row.classList.remove("saving"); });
  });

  document.getElementById("all-present").addEventListener("click", function (event) {
    event.preventDefault();
    say("…", "saving");
    var body = new FormData(sheet);
    body.append("all_present", "1");
    post(sheet.action, body).then(function (answer) {
      answer.saved.forEach(function (mark) {
        var radio = document.getElementById("mark-" + mark.participant_id + "-" + mark.status);
        if (radio) { radio.checked = true; radio.closest(".officer").classList.remove("unsaved"); }
      });
      say(sheet.dataset.saved + " (" + answer.saved.length + ")", "saved");
    }).catch(function (error) { say(sheet.dataset.failed + ": " + error.message, "failed"); });
  });
}());
