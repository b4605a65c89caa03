-- swap_change: a swap request taken back or reversed.
-- op 'withdraw': !swap withdraw S-n, by its requester while it is open (the
--    other person and, for an arranged one, the giver are told).
-- op 'undo': !swap undo S-n, by a minister or webmaster (those who approve
--    swaps), of an approved swap whose shift has not started: the roster goes
--    back (swap_move, the same place that applied it), both people are told
--    and the ops room reads it.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, id, op
-- returns {'not_found'} | {'not_swap'} | {'not_requester'} | {'closed', state}
--         | {'withdrawn', id, summary}
--         | {'not_allowed'} | {'not_approved', state} | {'started', date, shift} | {'changed'}
--         | {'undone', id, summary}
-- helpers: audit, ROLE_RANK, notify_channel, notify_staff, staff_name, slot_of,
--   approval_fields, approval_key, close_approval, swap_giver, swap_move
local prefix, now, actor, src, rank, id, op =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]

local a = approval_fields(prefix, id)
if not a then return { 'not_found' } end
if a.type ~= 'swap' then return { 'not_swap' } end
local giver = swap_giver(a)
local params = { id = id, summary = a.summary or '', by = staff_name(prefix, actor) }

if op == 'withdraw' then
  if a.requester ~= actor then return { 'not_requester' } end
  if a.state ~= 'open' then return { 'closed', a.state } end
  redis.call('HSET', approval_key(prefix, id), 'cancelled_by', actor, 'cancelled_at', now)
  close_approval(prefix, a, 'withdrawn')
  audit(prefix, now, actor, 'swap.withdraw', id, a.digest or '', src)
  for _, p in ipairs({ a.other, giver }) do
    if p and p ~= '' and p ~= actor then notify_staff(prefix, p, 'MSG_SWAP_WITHDRAWN_TOLD', params) end
  end
  return { 'withdrawn', id, a.summary or '' }
end

if op == 'undo' then
  if rank < ROLE_RANK.minister then return { 'not_allowed' } end
  if a.state ~= 'approved' then return { 'not_approved', a.state } end
  if not a.start or tonumber(now) >= tonumber(a.start) then return { 'started', a.date, a.shift_name } end
  -- the roster as the swap left it, or it was changed since: then by hand
  if slot_of(prefix, a.date, a.shift_name, a.other) ~= a.slot or slot_of(prefix, a.date, a.shift_name, giver)
     or ((a.other_shift or '') ~= '' and slot_of(prefix, a.date, a.other_shift, giver) ~= a.other_slot) then
    return { 'changed' }
  end
  a.now = now
  swap_move(prefix, a, true)
  redis.call('HSET', approval_key(prefix, id), 'state', 'undone', 'undone_by', actor, 'undone_at', now)
  audit(prefix, now, actor, 'swap.undo', id, a.digest or '', src)
  local told = { [actor] = true }
  for _, p in ipairs({ giver, a.other, a.requester }) do
    if p and p ~= '' and not told[p] then
      told[p] = true
      notify_staff(prefix, p, 'MSG_SWAP_UNDONE_TOLD', params)
    end
  end
  notify_channel(prefix, 'ops', 'MSG_SWAP_UNDONE_OPS', params)
  return { 'undone', id, a.summary or '' }
end
return redis.error_reply('swap_change: unknown op ' .. tostring(op))
