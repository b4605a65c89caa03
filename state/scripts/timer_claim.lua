-- timer_claim: take the timers that are due.  Claiming moves a member's
-- score to now + lease, so no other instance sees it due; the fire script
-- removes it when done.  If the claimer dies, the lease runs out and another
-- instance fires it again: fire scripts are idempotent.
-- KEYS[1] the timers set
-- ARGV    now, lease ms, limit
-- returns {{member, due score, member, due score, ...}, next due score or ''}
-- (the due scores tell the engine how late each fire is: the auditor's figure)
-- helpers: none
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], now + lease, due[i])
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { due, nxt[2] or '' }
