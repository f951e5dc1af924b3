-- Four reads to one write on random keys: GET and PUT of the peers' 1 KiB value through the service.
-- SERVICE_PATH is the store's records path, TOKEN the API key (as the peers' service scripts).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local path, token = os.getenv("SERVICE_PATH"), os.getenv("TOKEN")
request = function()
  if math.random(1, 5) == 1 then
    return wrk.format("PUT", path .. "/" .. key(), {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. token}, value)
  end
  return wrk.format("GET", path .. "/" .. key(), {["Authorization"]="Bearer " .. token})
end
