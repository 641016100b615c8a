module winsock-double/dll/programs/go

go 1.19
