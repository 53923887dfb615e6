-- Outbound work becomes routable (outbound/scheduler.py): one call per dial attempt of a task,
-- queued like an inbound call (same queue, skills, priorities, agent states) but carrying the
-- number to dial. `place` offers it to the best ready agent at once if there is one: the agent is
-- reserved (state offered) and only then the `originate` command goes out (progressive
-- dialling: no customer is dialled without a reserved agent); otherwise the call waits and the
-- next agent who becomes ready takes it (`seek_call`). Runs with lib.lua in front of it.
-- ARGV[5]: JSON list of {call, queue, prio, tier, customer, number, task, kind}.
-- Returns JSON {o, fx, placed = n}: a call that already exists (a retry of the same attempt
-- after a crash, a second scheduler) is left alone, so an attempt is never dialled twice.
local ops = cjson.decode(ARGV[5])
-- every op's queue settings are read before the first write: a setting that does not decode
-- fails the script before it changed anything (Redis does not undo a script's writes)
for _, t in ipairs(ops) do qconf(t.queue) end
local placed = 0
for _, t in ipairs(ops) do
  local ck = key('call', t.call)
  if redis.call('EXISTS', ck) == 0 and qconf(t.queue) then
    local score = (PSPAN - 1 - t.prio) * SCALE + rel(NOW)
    redis.call('HSET', ck, 'queue', t.queue, 'prio', t.prio, 'score', fmt(score),
               'arrived', fmt(NOW), 'state', 'waiting', 'offers', 0, 'tier', t.tier,
               'customer', t.customer, 'number', t.number, 'task', t.task, 'kind', t.kind)
    redis.call('ZADD', key('inq', t.queue), fmt(NOW), t.call)
    emit('call.queued', t.call, nil, {queue = t.queue, priority = t.prio, tier = t.tier,
         direction = 'outbound', task_id = t.task, kind = t.kind, customer_id = t.customer},
         t.call, 'queued')
    place(t.call, t.queue, 'outbound_due')
    placed = placed + 1
  end
end
return finish({placed = placed})
