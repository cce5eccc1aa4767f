import JWTK

print(JWTK.version)
