-- handover_set: the outgoing lead's notes for the next lead.  The next lead
-- gets them at check-in; one who has checked in already (check-in opens
-- before the start) gets them now.  The next lead acknowledges them
-- (handover_ack.lua); until then the handover is open (handack:<date>:<shift>
-- of the next shift) and the writer's shift's lead is still paged as its
-- lead; the timer 'hoack|<date>|<shift>' tells the minister on duty if it
-- never is.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, text, the running instances with the
--         one each hands over to with the time the open handover is reported
--         ("date|shift|next date|next shift|due ms" space list)
-- returns {'ok', date, shift, next lead's name if sent now, else ''} | {'not_lead'}
-- helpers: audit, words, ROLE_RANK, notify_staff, staff_name, roster_key, slot_of,
--   att_key, timer_set
local prefix, now, actor, src, rank, text = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
for i, inst in ipairs(words(ARGV[7])) do
  local date, shift, ndate, nshift, due = string.match(inst, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)|(%d+)$')
  if slot_of(prefix, date, shift, actor) == 'lead' or (rank >= ROLE_RANK.minister and i == 1) then
    local key = prefix .. 'handover:' .. date .. ':' .. shift
    redis.call('HSET', key, 'by', actor, 'text', text, 'ts', now)
    redis.call('PEXPIRE', key, 400 * 86400000)
    audit(prefix, now, actor, 'shift.handover', date .. ' ' .. shift, string.sub(text, 1, 80), src)
    local sent = ''
    local lead = redis.call('HGET', roster_key(prefix, ndate, nshift), 'lead')
    local ack = prefix .. 'handack:' .. ndate .. ':' .. nshift
    -- the outgoing lead: the one rostered, else whoever wrote the notes (one
    -- who leads the next shift too hands over to nobody)
    local out = redis.call('HGET', roster_key(prefix, date, shift), 'lead') or actor
    if not (ndate == date and nshift == shift) and lead ~= out and redis.call('EXISTS', ack) == 0 then
      redis.call('HSET', ack, 'pdate', date, 'pshift', shift, 'out', out)
      redis.call('PEXPIRE', ack, 400 * 86400000)
      timer_set(prefix, 'hoack|' .. ndate .. '|' .. nshift, tonumber(due))
    end
    if lead and not (ndate == date and nshift == shift)
       and redis.call('HEXISTS', att_key(prefix, ndate, nshift), lead .. ':in') == 1 then
      notify_staff(prefix, lead, 'MSG_HANDOVER_DELIVERY', { date = ndate, shift = nshift, pdate = date,
        pshift = shift, by = staff_name(prefix, actor), notes = text })
      local h = redis.call('HMGET', ack, 'out', 'acked_by')
      if h[1] and not h[2] then
        notify_staff(prefix, lead, 'MSG_HANDOVER_ACK_ASK', { pdate = date, pshift = shift,
          out = staff_name(prefix, h[1]) })
      end
      sent = staff_name(prefix, lead)
    end
    return { 'ok', date, shift, sent }
  end
end
return { 'not_lead' }
