package io.tally.spouts.objectstore;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checks before a topology is submitted that the bucket answers with the credentials this machine's default chain
 * finds: one single-key listing per prefix. Each problem is one sentence naming the bucket, the endpoint and what to
 * fix; credentials are never part of it.
 */
public final class ObjectStoreCheck {
    private ObjectStoreCheck() {
    }

    /** The problems found; empty when every prefix can be listed. */
    public static List<String> problems(ObjectStoreSettings settings) {
        try (S3Client s3 = ObjectStoreClient.build(settings)) {
            return problems(settings, s3);
        } catch (SdkClientException e) {
            return List.of(where(settings) + ": the S3 client cannot be created: " + e.getMessage());
        }
    }

    static List<String> problems(ObjectStoreSettings settings, S3Client s3) {
        List<String> problems = new ArrayList<>();
        for (String prefix : settings.prefixes()) {
            try {
                s3.listObjectsV2(r -> r.bucket(settings.bucket()).prefix(prefix.isEmpty() ? null : prefix).maxKeys(1));
            } catch (S3Exception e) {
                String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
                problems.add(where(settings) + ", prefix '" + prefix + "': " + explain(e.statusCode(), code));
            } catch (SdkClientException e) {
                problems.add(where(settings) + ": no answer (" + e.getMessage() + "); is the endpoint right and the"
                        + " store up?");
                break;
            }
        }
        return problems;
    }

    private static String explain(int status, String code) {
        if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
            return "the bucket does not exist";
        }
        if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                || "InvalidToken".equals(code) || "ExpiredToken".equals(code)) {
            return "the store refused the credentials of the SDK's default chain (" + code + "): check"
                    + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the instance role on every worker";
        }
        if (status == 403) {
            return "access denied (" + code + "): the credentials need s3:ListBucket on the bucket and s3:GetObject"
                    + " on the prefix";
        }
        return "listing failed with HTTP " + status + (code == null ? "" : " (" + code + ")");
    }

    static String where(ObjectStoreSettings settings) {
        return "Object store bucket '" + settings.bucket() + "' at "
                + (settings.endpoint() == null ? "Amazon S3" : settings.endpoint());
    }
}
