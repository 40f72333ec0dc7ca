process { name = "a", run = function(p) local co = coroutine.create(function() end) end }
