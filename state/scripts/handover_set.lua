-- handover_set: the outgoing lead's notes for the next lead.  The next lead
-- gets them at check-in; one who has checked in already (check-in opens
-- before the start) gets them now.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, text, the running instances with the
--         one each hands over to ("date|shift|next date|next shift" space list)
-- returns {'ok', date, shift, next lead's name if sent now, else ''} | {'not_lead'}
-- helpers: audit, words, ROLE_RANK, notify_staff, staff_name, roster_key, slot_of,
--   att_key
local prefix, now, actor, src, rank, text = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
for i, inst in ipairs(words(ARGV[7])) do
  local date, shift, ndate, nshift = string.match(inst, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  if slot_of(prefix, date, shift, actor) == 'lead' or (rank >= ROLE_RANK.minister and i == 1) then
    local key = prefix .. 'handover:' .. date .. ':' .. shift
    redis.call('HSET', key, 'by', actor, 'text', text, 'ts', now)
    redis.call('PEXPIRE', key, 400 * 86400000)
    audit(prefix, now, actor, 'shift.handover', date .. ' ' .. shift, string.sub(text, 1, 80), src)
    local sent = ''
    local lead = redis.call('HGET', roster_key(prefix, ndate, nshift), 'lead')
    if lead and not (ndate == date and nshift == shift)
       and redis.call('HEXISTS', att_key(prefix, ndate, nshift), lead .. ':in') == 1 then
      notify_staff(prefix, lead, 'MSG_HANDOVER_DELIVERY', { date = ndate, shift = nshift, pdate = date,
        pshift = shift, by = staff_name(prefix, actor), notes = text })
      sent = staff_name(prefix, lead)
    end
    return { 'ok', date, shift, sent }
  end
end
return { 'not_lead' }
