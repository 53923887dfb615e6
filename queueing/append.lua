-- Append many entries to one stream in one call (the router's effects of a batch).
-- KEYS[1]: the stream; ARGV[1]: JSON list of entries, each a flat [field, value, ...] list;
-- ARGV[2] (optional): a consumer group that needs none of these entries (the routers' group:
-- routing changes nothing on its own events). When that group has been handed every entry of
-- the stream so far, it is moved past the new ones too, so routers do not read their own events
-- back; when it lags behind (a burst), they are delivered and skipped as before.
-- Returns the new entries' ids, in order.
local stream, group = KEYS[1], ARGV[2]
local skip = caught_up(stream, group)  -- streams.lua, run in front of this file
local ids = {}
for _, entry in ipairs(cjson.decode(ARGV[1])) do
  ids[#ids + 1] = redis.call('XADD', stream, '*', unpack(entry))
end
if skip and #ids > 0 then redis.call('XGROUP', 'SETID', stream, group, ids[#ids]) end
return ids
