error(setmetatable({}, { __tostring = function() return "x\ny" end }))
