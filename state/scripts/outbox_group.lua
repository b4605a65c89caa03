-- outbox_group: the consumer group of the outbox senders, made once.  Every
-- start (and every new Redis connection) asks for it; "it exists already"
-- is the usual answer, not an error, so it is answered here and not logged.
-- KEYS[1] the outbox stream
-- ARGV    group
-- returns 1 (made) | 0 (it was there)
-- helpers: none
local r = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
if type(r) == 'table' and r.err then
  if string.sub(r.err, 1, 9) == 'BUSYGROUP' then return 0 end
  return redis.error_reply(r.err)
end
return 1
