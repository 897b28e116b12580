namespace Clearinghouse.Grains;

public static class GrainReminders
{
    /// <summary>Unregisters the grain's reminder <paramref name="name"/> when it has one.</summary>
    public static async Task StopReminderAsync(this Grain grain, string name)
    {
        if (await grain.GetReminder(name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
