namespace Tvm.Emulators.Kubernetes;

/// <summary>The identity a token authenticated as: the <c>status.user</c> of a TokenReview.</summary>
internal sealed record AuthenticatedUser(
    string Username,
    string? Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, string[]> Extra);

/// <summary>The <c>status</c> of a TokenReview: either a user with the agreed audiences, or an error.</summary>
internal sealed record TokenReviewOutcome(AuthenticatedUser? User, IReadOnlyList<string> Audiences, string? Error)
{
    public bool Authenticated => User is not null;

    public static TokenReviewOutcome Success(AuthenticatedUser user, IReadOnlyList<string> audiences) =>
        new(user, audiences, null);

    public static TokenReviewOutcome Failure(string error) => new(null, [], error);
}
