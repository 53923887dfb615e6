// The desk's "Pause recording" toggle: for a sensitive moment (a card number) the agent pauses
// the call's recording and resumes it after (the PBX writes the paused time as silence).
// The state is kept per call, so a new call starts with the button saying "Pause recording".
import { t } from "../i18n.js";

const paused = new Map(); // call id -> paused

function label(button, callId) {
  button.textContent = paused.get(callId) ? t("Resume recording") : t("Pause recording");
  button.dataset.paused = paused.get(callId) ? "yes" : "no";
}

export function wireRecordingPause(button, currentCallId, callCmd) {
  button.onclick = async () => {
    const callId = currentCallId();
    if (!callId) return;
    const want = !paused.get(callId);
    await callCmd("recording", { paused: want });
    paused.set(callId, want);
    label(button, callId);
  };
  return (callId) => label(button, callId);
}
