-- _2roster: the roster of one shift on one date is the hash
-- roster:<date>:<shift> {lead, minister, agents = "id id ..."}.
local SLOT_RANK = { lead = 2, minister = 3, agent = 1 }   -- lowest role rank a slot needs

local function roster_key(prefix, date, shift)
  return prefix .. 'roster:' .. date .. ':' .. shift
end

-- The slot ID holds on DATE SHIFT: 'lead', 'minister', 'agent' or nil.
local function slot_of(prefix, date, shift, id)
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents')
  if r[1] == id then return 'lead' end
  if r[2] == id then return 'minister' end
  if has(r[3], id) then return 'agent' end
  return nil
end

local function put_in(prefix, date, shift, slot, id)
  local key = roster_key(prefix, date, shift)
  if slot == 'agent' then
    local agents = redis.call('HGET', key, 'agents') or ''
    if not has(agents, id) then
      redis.call('HSET', key, 'agents', (agents == '' and id) or (agents .. ' ' .. id))
    end
  else
    redis.call('HSET', key, slot, id)
  end
end

local function take_out(prefix, date, shift, slot, id)
  local key = roster_key(prefix, date, shift)
  if slot == 'agent' then
    redis.call('HSET', key, 'agents', without(redis.call('HGET', key, 'agents'), id))
  elseif redis.call('HGET', key, slot) == id then
    redis.call('HDEL', key, slot)
  end
end

local function role_rank(prefix, id)
  return ROLE_RANK[redis.call('HGET', prefix .. 'staff:' .. id, 'role') or 'friend'] or 0
end

-- May ID hold SLOT? (a lead is a vice minister or above, the minister on
-- duty a minister or above, an agent any staff member)
local function may_hold(prefix, id, slot)
  return role_rank(prefix, id) >= SLOT_RANK[slot]
end

local function on_leave(prefix, id, date)
  return redis.call('SISMEMBER', prefix .. 'onleave:' .. id, date) == 1
end

