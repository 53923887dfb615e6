-- Append many entries to one stream in one call (the router's effects of a batch).
-- KEYS[1]: the stream; ARGV[1]: JSON list of entries, each a flat [field, value, ...] list;
-- ARGV[2] (optional): a consumer group that needs none of these entries (the routers' group:
-- routing changes nothing on its own events). When that group has been handed every entry of
-- the stream so far, it is moved past the new ones too, so routers do not read their own events
-- back; when it lags behind (a burst), they are delivered and skipped as before.
-- Returns the new entries' ids, in order.
local stream, group = KEYS[1], ARGV[2]
local caught_up = false
if group and group ~= '' then
  local groups = redis.pcall('XINFO', 'GROUPS', stream)
  if type(groups) == 'table' and not groups.err then
    local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
    local last_id = (last[1] and last[1][1]) or '0-0'
    for _, g in ipairs(groups) do
      local name, delivered
      for i = 1, #g, 2 do
        if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then delivered = g[i + 1] end
      end
      if name == group and delivered == last_id then caught_up = true end
    end
  end
end
local ids = {}
for _, entry in ipairs(cjson.decode(ARGV[1])) do
  ids[#ids + 1] = redis.call('XADD', stream, '*', unpack(entry))
end
if caught_up and #ids > 0 then redis.call('XGROUP', 'SETID', stream, group, ids[#ids]) end
return ids
