// The whole centre's figures from every queue's (the wallboard's totals and the kiosk view):
// counts added up, then the same definitions as one queue's (reports/definitions.py), so a
// figure with nothing behind it is null ("—"), never 100% of nothing.
export function centreTotals(queues) {
  let waiting = 0, longest = 0, answeredSl = 0, slDen = 0, abandoned = 0, offered = 0;
  for (const q of queues) {
    waiting += q.waiting;
    longest = Math.max(longest, q.longest_wait_s);
    answeredSl += q.day.answered_in_sl;
    slDen += q.day.answered + q.day.abandons_against_sl;
    abandoned += q.day.abandoned;
    offered += q.day.offered;
  }
  return {
    waiting,
    longestWaitS: longest,
    serviceLevelPct: slDen ? (100 * answeredSl) / slDen : null,
    abandonedPct: offered ? (100 * abandoned) / offered : null,
  };
}
