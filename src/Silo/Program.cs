using Clearinghouse.Silo.Hosting;

return await ClearinghouseHost.RunAsync(args);
