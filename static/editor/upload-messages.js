// Admin only. markdownx treats a refused image upload as a success: it logs our message to the
// console and types "Invalid response" into the article. Show the message instead.
"use strict";

function showUploadError(event) {
  var parent = event.currentTarget;
  var editor = parent.querySelector("textarea");
  var detail = event.detail && event.detail[0];
  var message = (detail && detail.error) || "The image could not be uploaded. Please try again.";
  var box = parent.querySelector(".editor-upload-error");
  if (!box) {
    box = document.createElement("p");
    box.className = "errornote editor-upload-error";
    box.setAttribute("role", "alert");
    parent.insertBefore(box, parent.firstChild);
  }
  box.textContent = message;
  // markdownx inserts its placeholder text right after this event; take it out again.
  window.setTimeout(function () {
    if (editor) {
      editor.value = editor.value.replace("Invalid response", "");
      editor.dispatchEvent(new Event("input"));
    }
  }, 0);
}

function clearUploadError(event) {
  var box = event.currentTarget.querySelector(".editor-upload-error");
  if (box) {
    box.remove();
  }
}

// markdownx's events do not bubble, so listen on each editor.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".markdownx").forEach(function (element) {
    element.addEventListener("markdownx.fileUploadError", showUploadError);
    element.addEventListener("markdownx.fileUploadEnd", clearUploadError);
  });
});
