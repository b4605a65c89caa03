-- approvals_pending: the open approvals the caller may decide now, oldest first.
-- KEYS[1] the open index
-- ARGV    prefix, actor, rank
-- returns {id, summary, requester name, created ms, reason, evidence, ...}
-- helpers: staff_name, approval_fields, is_advice, used_people, may_decide
local prefix, actor, rank = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local a = approval_fields(prefix, id)
  if a and a.state == 'open' then
    a.step = tonumber(a.step)
    local twice = not is_advice(a, a.step) and used_people(a, a.step)[actor]
    if a.requester ~= actor and not twice and may_decide(a, actor, rank) then
      out[#out + 1] = id
      out[#out + 1] = a.summary or ''
      out[#out + 1] = staff_name(prefix, a.requester)
      out[#out + 1] = a.created
      out[#out + 1] = a.reason_text or ''
      out[#out + 1] = a.evidence or ''
    end
  end
end
return out
