-- page_open: may a page still go?  How many of the emergencies it is about
-- are still open and unacknowledged (bot/durable/deliver.c's page_gate: a
-- page, or a summary of held pages, decided before an ack is not sent after).
-- KEYS[1] any key of the site
-- ARGV    prefix, emergency id...
-- returns the number still waiting for an ack
-- helpers: none
local n = 0
for i = 2, #ARGV do
  local e = redis.call('HMGET', ARGV[1] .. 'emergency:' .. ARGV[i], 'state', 'acked_by')
  if e[1] == 'open' and not e[2] then n = n + 1 end
end
return n
