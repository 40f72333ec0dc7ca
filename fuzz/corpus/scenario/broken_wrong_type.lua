machine { ram = {} }
process { name = 1, run = 5 }
