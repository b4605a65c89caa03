-- handover_set: the outgoing lead's notes for the next lead.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, text, the running instances ("date|shift" space list)
-- returns {'ok', date, shift} | {'not_lead'}
local prefix, now, actor, src, rank, text = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
for i, inst in ipairs(words(ARGV[7])) do
  local date, shift = string.match(inst, '^([^|]+)|([^|]+)$')
  if slot_of(prefix, date, shift, actor) == 'lead' or (rank >= ROLE_RANK.minister and i == 1) then
    local key = prefix .. 'handover:' .. date .. ':' .. shift
    redis.call('HSET', key, 'by', actor, 'text', text, 'ts', now)
    redis.call('PEXPIRE', key, 400 * 86400000)
    audit(prefix, now, actor, 'shift.handover', date .. ' ' .. shift, string.sub(text, 1, 80), src)
    return { 'ok', date, shift }
  end
end
return { 'not_lead' }
