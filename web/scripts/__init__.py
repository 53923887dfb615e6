"""Per-queue call scripts: the API (read for everyone signed in, edit for supervisors) and the
supervisors' editor page; the desk shows the call's queue's script (``js/desk/script.js``)."""
