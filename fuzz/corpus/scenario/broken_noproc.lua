machine { ram = "64M" }
